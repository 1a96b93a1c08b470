"""The local MSK event source mapping: topic → batches → Lambda Invoke API → commit.

Lambda's mapping for MSK is part of the Lambda service, which the local stack stands in
for: it consumes the topic in a consumer group, sends batches in the MSK event shape to
the function, and commits the offsets only once the invocation succeeded.
"""
