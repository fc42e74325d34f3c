"""Documents for werkgevers and controllers: beschikkingen, betaalspecificaties, SEPA files."""
