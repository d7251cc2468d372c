"""The school year's paperwork: classification, promotion, year rollover,
statutory printouts, the XML export and the signed year-end archive."""
