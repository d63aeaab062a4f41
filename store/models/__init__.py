"""Store models, split by domain and re-exported here."""

from store.models.bom import BomImport, BomLine, SupplierPartNumber
from store.models.cart import Cart, CartItem
from store.models.catalog import Brand, Category, Collection, CollectionProduct, Product, Tag
from store.models.orders import Order, OrderEvent, OrderLine
from store.models.payments import Payment, Provider, WebhookEvent
from store.models.stock import StockLevel, StockMovement

__all__ = [
    "BomImport",
    "BomLine",
    "Brand",
    "Cart",
    "CartItem",
    "Category",
    "Collection",
    "CollectionProduct",
    "Order",
    "OrderEvent",
    "OrderLine",
    "Payment",
    "Product",
    "Provider",
    "StockLevel",
    "StockMovement",
    "SupplierPartNumber",
    "Tag",
    "WebhookEvent",
]
