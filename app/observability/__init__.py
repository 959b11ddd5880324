"""What operators watch: request ids in every log line, and Prometheus metrics at /metrics."""
