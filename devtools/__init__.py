"""Development-only tools: the dashboard benchmark's synthetic data set. Left out of the Docker image."""
