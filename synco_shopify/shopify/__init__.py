"""Talking to Shopify, without Odoo: the GraphQL client, its errors, the
documents it sends, webhook verification and the constants they share."""
