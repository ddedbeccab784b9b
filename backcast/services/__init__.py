"""Every state change goes through a function here.

Each validates, writes, appends a typed event with the workshop's next `seq` in the same
transaction, and returns; publishing happens after the commit. No web or template imports.
"""
