"""Community case management: tasks."""
