"""Data-protection duties (RODO/GDPR): export of what the portal holds about one
person (art. 15), anonymisation of people who left after the retention periods
(art. 5(1)(e), art. 17), and the audit viewers for the school admins and the DPO.

Apps add what they hold through `portal.registry.register_person_data`; portal
never imports them."""
