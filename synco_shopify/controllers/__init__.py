from . import fulfillment_service, webhook
