{
    "name": "Shopify Fulfillment Sync: kits",
    "version": "1.0.0",
    "summary": "Kits (phantom bills of materials) in both directions of synco_shopify",
    "category": "Inventory/Delivery",
    "author": "synco_shopify contributors",
    "license": "LGPL-3",
    "depends": ["synco_shopify", "mrp"],
    "data": [],
    "installable": True,
    "auto_install": True,
    "application": False,
}
