// The API client of the console: where the key lives, and the one place that sends it.
// The key is kept in sessionStorage (this tab) or, when asked, localStorage (this device),
// and only ever leaves the browser as the X-API-Key header of a request to the API base URL.

const KEY = "vv.console.apiKey";
const BASE = "vv.console.baseUrl";

export class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || `HTTP ${status}`);
    this.status = status;
    this.code = error.code || "http_error";
    this.requestId = error.request_id || "";
  }
}

export const settings = {
  baseUrl() {
    return (localStorage.getItem(BASE) || window.location.origin).replace(/\/+$/, "");
  },
  setBaseUrl(url) {
    const clean = new URL(url).origin + new URL(url).pathname.replace(/\/+$/, "");
    localStorage.setItem(BASE, clean);
  },
  apiKey() {
    return sessionStorage.getItem(KEY) || localStorage.getItem(KEY) || "";
  },
  remembered() {
    return Boolean(localStorage.getItem(KEY));
  },
  setApiKey(key, remember) {
    this.forgetApiKey();
    (remember ? localStorage : sessionStorage).setItem(KEY, key);
  },
  forgetApiKey() {
    sessionStorage.removeItem(KEY);
    localStorage.removeItem(KEY);
  },
};

export function apiUrl(path, params) {
  const url = new URL(settings.baseUrl() + path);
  for (const [name, value] of Object.entries(params || {})) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(name, value);
  }
  return url;
}

/** Call the API with the key; JSON in and out; errors become ApiError with the envelope. */
export async function api(method, path, { body, params } = {}) {
  const key = settings.apiKey();
  if (!key) throw new ApiError(401, { error: { message: "Enter an API key first." } });
  const headers = { "X-API-Key": key, Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(apiUrl(path, params), {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "omit",
    cache: "no-store",
    referrerPolicy: "no-referrer",
  });
  const text = await response.text();
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  if (!response.ok) throw new ApiError(response.status, parsed);
  return parsed;
}

/** An image the API serves only with the key (no preview link in the JSON): a blob URL. */
export async function keyedImage(path, params) {
  const response = await fetch(apiUrl(path, params), {
    headers: { "X-API-Key": settings.apiKey() },
    credentials: "omit",
    referrerPolicy: "no-referrer",
  });
  if (!response.ok) throw new ApiError(response.status, null);
  return URL.createObjectURL(await response.blob());
}

/** Only http(s), data:image and blob: URLs go into an <img>. */
export function safeImageUrl(value) {
  if (typeof value !== "string" || !value) return "";
  if (/^data:image\/(png|jpeg|gif|webp);base64,/i.test(value)) return value;
  try {
    const url = new URL(value, window.location.href);
    return ["http:", "https:", "blob:"].includes(url.protocol) ? url.href : "";
  } catch {
    return "";
  }
}

export function describeError(error) {
  if (error instanceof ApiError) {
    const id = error.requestId ? ` (request ${error.requestId})` : "";
    return `${error.status} ${error.code}: ${error.message}${id}`;
  }
  return `Network error: ${error.message}`;
}
