"""The staff workspace: who may see what (roles and organisations), its layout and home page."""
