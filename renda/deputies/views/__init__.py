"""Deputies' pages: the registry (`registry`) and duty records and scores (`duty`)."""
