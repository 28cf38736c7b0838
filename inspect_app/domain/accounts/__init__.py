"""Users and who may do what: accounts, roles, login sessions and limits, the administrator's log."""
