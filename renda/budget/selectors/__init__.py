"""Budget reads: data pages, dashboard figures and drill-down, exports."""
