"""Jobs: planning which analyzers an asset needs, running claimed jobs, and executors that run
workers inline or in a local process pool. A cluster executor implements the same interface."""
