"""SQLAlchemy persistence of the domain: tables, mapping, repositories, unit of work."""
