"""The rules of information requests that need no database: what a lawyer reads.

- ``outcomes``: the 23 outcomes of a reply (DOMAIN §3.6), their legal bases, remedies and letters;
- ``fees``: the information-processing fee's arithmetic (DOMAIN §3.7, the Fee Rules);
- ``periods``: the statutory periods the services apply (Arts. 30, 32, 35, the Fee Rules).

The services apply them to cases; the letters print them; none of them imports an ORM model.
"""
