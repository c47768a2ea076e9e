"""Budget code that writes: import batches, push tokens, rule runs (engine), payment
summaries, inquiry letters, escalation, big-screen passes."""
