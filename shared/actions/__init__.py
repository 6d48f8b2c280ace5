"""The services behind the HTTP actions: parsing and paging shared by all, then one package per object."""
