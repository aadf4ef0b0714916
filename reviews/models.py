# Reviews, health checks, peer challenge and reminders arrive with the reviews issue.
