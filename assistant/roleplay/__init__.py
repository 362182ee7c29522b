"""Role-play trainer: simulated customers with hidden needs, question classification,
a reveal policy in code, and a scorecard."""
