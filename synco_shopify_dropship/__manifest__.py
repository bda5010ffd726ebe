{
    "name": "Shopify Fulfillment Sync: dropship",
    "version": "1.0.0",
    "summary": "Dropships (stock_dropshipping) in both directions of synco_shopify",
    "category": "Inventory/Delivery",
    "author": "synco_shopify contributors",
    "website": "https://github.com/synco-shopify/synco_shopify",
    "maintainers": ["synco-shopify"],
    "development_status": "Beta",
    "license": "LGPL-3",
    "depends": ["synco_shopify", "stock_dropshipping"],
    "auto_install": True,
}
