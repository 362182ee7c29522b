"""Real meetings in: transcripts exported by meeting tools, subtitles and chat copies,
read into speaker turns with their times, and the discovery review of a conversation."""
