step[2J
