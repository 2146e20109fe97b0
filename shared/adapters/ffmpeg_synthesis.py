"""Render a MediaRecipe to a real file with ffmpeg's lavfi sources: hard cuts exactly at the
recipe's scene boundaries, deterministic output (single-threaded, bit-exact flags)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from shared.adapters.ffmpeg_analyzer import ffmpeg_executable
from shared.domain.media_recipes import RECIPE_COLOURS, MediaRecipe, SceneRecipe
from shared.domain.records import MediaType

AUDIO_RATE = 44_100
BOX_RADIANS_PER_SECOND = 8  # the box swings side to side, always in view: motion, no cut


def _hex(colour: str) -> str:
    r, g, b = RECIPE_COLOURS[colour]
    return f"0x{r:02x}{g:02x}{b:02x}"


def _video_chain(i: int, scene: SceneRecipe, recipe: MediaRecipe) -> str:
    w, h, fps, d = recipe.width, recipe.height, recipe.fps, scene.seconds
    if scene.pattern:
        chain = f"{scene.pattern}=s={w}x{h}:r={fps}:d={d}"
    else:
        chain = f"color=c={_hex(scene.color or 'black')}:s={w}x{h}:r={fps}:d={d}"
    if scene.accent:
        chain += f",drawbox=x=0:y={h * 2 // 3}:w={w}:h={h - h * 2 // 3}"
        chain += f":color={_hex(scene.accent)}:t=fill"
    if scene.moving_box:
        chain += f"[bg{i}];color=c=white:s={w // 4}x{h}:r={fps}:d={d}[box{i}];"
        chain += f"[bg{i}][box{i}]overlay=x='(W-w)*(0.5+0.5*sin(t*{BOX_RADIANS_PER_SECOND}))':y=0"
    return chain + f",format=yuv420p[v{i}]"


def _audio_chain(i: int, scene: SceneRecipe) -> str:
    if scene.tone_hz is None:
        return f"anullsrc=r={AUDIO_RATE}:cl=mono,atrim=duration={scene.seconds}[a{i}]"
    return f"sine=f={scene.tone_hz}:r={AUDIO_RATE}:d={scene.seconds},volume={scene.volume}[a{i}]"


def render(recipe: MediaRecipe, destination: Path, ffmpeg: str | None = None) -> Path:
    ffmpeg = ffmpeg or ffmpeg_executable()
    scenes = recipe.scenes
    with_video = recipe.media_type is not MediaType.AUDIO
    with_audio = recipe.audio and recipe.media_type is not MediaType.IMAGE
    chains = []
    labels = ""
    for i, scene in enumerate(scenes):
        if with_video:
            chains.append(_video_chain(i, scene, recipe))
            labels += f"[v{i}]"
        if with_audio:
            chains.append(_audio_chain(i, scene))
            labels += f"[a{i}]"
    chains.append(f"{labels}concat=n={len(scenes)}:v={int(with_video)}:a={int(with_audio)}")
    chains[-1] += ("[v]" if with_video else "") + ("[a]" if with_audio else "")
    argv = [ffmpeg, "-hide_banner", "-nostdin", "-v", "error", "-y"]
    argv += ["-filter_complex", ";".join(chains), "-fflags", "+bitexact"]
    if with_video:
        argv += ["-map", "[v]"]
    if with_audio:
        argv += ["-map", "[a]"]
    if recipe.media_type is MediaType.IMAGE:
        argv += ["-frames:v", "1"]
    elif with_video:
        argv += ["-c:v", "libx264", "-preset", "veryfast", "-g", str(recipe.fps)]
        argv += ["-threads", "1", "-flags:v", "+bitexact", "-movflags", "+faststart"]
    if with_audio:
        argv += ["-flags:a", "+bitexact"]
        argv += ["-c:a", "aac"] if destination.suffix in {".mp4", ".m4a", ".mov"} else []
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".part" + destination.suffix)
    subprocess.run([*argv, str(partial)], check=True, capture_output=True, timeout=600)
    partial.replace(destination)
    return destination
