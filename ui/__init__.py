"""The Streamlit web app: a thin adapter over the core services (see ui/app.py)."""
