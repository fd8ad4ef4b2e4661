cc main.c $(pkg-config --cflags --libs mmarray) -o consumer
./consumer
