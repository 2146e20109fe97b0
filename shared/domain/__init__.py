"""Domain models and ports. Nothing here imports google.cloud, Flask or ffmpeg."""
