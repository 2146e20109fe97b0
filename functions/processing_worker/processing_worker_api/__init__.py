"""The processing worker: trigger messages in, one processing job per finalized upload."""
