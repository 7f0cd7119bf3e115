"""The counselling network: provider organisations, their offices and mobile venues, towns."""
