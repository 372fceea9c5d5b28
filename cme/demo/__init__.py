"""Fictional demo data for `cme demo`: two authorities, their schools, pupils on roll and users.

Everything here is made up: Exampleshire Council (LA 990) and Otherborough Council (LA 991) do not
exist, emails use the reserved `.example` domain, and pupils' names come from Faker with a fixed seed.
"""
