module mmarray

go 1.19
