"""The microservice chassis: plumbing every CRM service needs once, and no business rules."""
