"""Children: who they are, their names and addresses, UPNs and school age."""
