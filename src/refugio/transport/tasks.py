"""Transport: tasks."""
