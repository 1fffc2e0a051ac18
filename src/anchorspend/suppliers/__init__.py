"""Supplier classification from open registers (Companies House, charities, 360Giving, OCDS)."""
