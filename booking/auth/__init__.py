"""Staff accounts and roles: network administrators, office staff, counsellors."""
