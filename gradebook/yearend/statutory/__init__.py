"""The statutory printouts of the register (§ 21 ust. 4 of the regulation): the
dziennik lekcyjny of a class for a month or a year, the attendance report of a
class and month, and the whole school's registers as one ZIP (a background job)."""
