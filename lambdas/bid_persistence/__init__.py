"""SQS FIFO ``bid-persistence-queue.fifo`` → DynamoDB ``bids_history``, idempotently."""
