"""The portal's one date and time style in Polish (Django's own Polish formats
use "01-12-2026" and a double space before the time): "1 grudnia 2026" in prose,
"01.12.2026" in tables, "01.12.2026 17:00" for a moment. Django reads the
names it does not find here from its own Polish formats."""

DATE_FORMAT = "j E Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j E Y, H:i"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
