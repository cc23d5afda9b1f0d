"""Long work on a job queue (Celery on the deployment's Redis; in-process without a broker)."""
