(self.__BIB_PARTS__=self.__BIB_PARTS__||{})['facet-author']=JSON.parse('{"rows":[[],[],[],[],[],[]],"values":[]}');
