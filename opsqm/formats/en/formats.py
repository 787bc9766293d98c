# Django's zh_Hans formats do not group digits; money and counts in reports are read
# as 28,880,000 by our users, so group by thousands. Other formats stay Django's.
NUMBER_GROUPING = 3
THOUSAND_SEPARATOR = ","
DECIMAL_SEPARATOR = "."
