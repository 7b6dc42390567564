"""Fleet scans: many repositories, one row each, on one machine or on Ray."""
