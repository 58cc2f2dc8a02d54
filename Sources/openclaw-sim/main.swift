print("openclaw-sim")
