"""Reading, validating and writing planner workbooks."""
