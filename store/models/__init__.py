"""Store models, split by domain and re-exported here."""

from store.models.bom import BomImport, BomLine, SupplierPartNumber
from store.models.cart import Cart, CartItem
from store.models.catalog import Brand, Category, Collection, CollectionProduct, Product, Tag
from store.models.coupons import CartCoupon, Coupon, CouponRedemption
from store.models.orders import Order, OrderEvent, OrderLine
from store.models.quotes import Material, Process, Quote, ServiceCapability
from store.models.reorder import ReorderLine, ReorderList
from store.models.reviews import Review
from store.models.service_orders import ServiceOrder, ServiceOrderEvent
from store.models.stock import StockLevel, StockMovement
from store.models.uploads import Upload

__all__ = [
    "Review",
    "ReorderList",
    "ReorderLine",
    "CouponRedemption",
    "Coupon",
    "CartCoupon",
    "BomImport",
    "BomLine",
    "Brand",
    "Material",
    "Process",
    "Quote",
    "ServiceCapability",
    "ServiceOrder",
    "ServiceOrderEvent",
    "Upload",
    "Cart",
    "CartItem",
    "Category",
    "Collection",
    "CollectionProduct",
    "Order",
    "OrderEvent",
    "OrderLine",
    "Product",
    "StockLevel",
    "StockMovement",
    "SupplierPartNumber",
    "Tag",
]
