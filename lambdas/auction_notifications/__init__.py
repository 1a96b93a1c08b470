"""SQS ``notification-queue.fifo`` → ``notifications`` rows through GraphQL (+ email on AWS)."""
