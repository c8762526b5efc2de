re
