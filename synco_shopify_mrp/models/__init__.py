from . import sale_order_line, stock_move
