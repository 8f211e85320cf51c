"""Peers of the interaction benchmark: the parking-history section in Vizro and in Streamlit."""
