"""Everything that does not know it runs inside Azure Functions."""
